import pytest

# A tiny version of the retention protocol: seconds, not minutes.
TINY = [
    "kwinner.n_visible=100", "kwinner.n_active=10", "kwinner.n_hidden=100", "kwinner.fan_in=0.2", "kwinner.k=5",
    "mhn.n_visible=100", "mhn.n_active=10", "mhn.n_hidden=10",
    "protocol.n_burnin=50", "protocol.n_memories=60", "protocol.n_samples=3", "protocol.runs_per_sample=4",
    "protocol.fit_max_age=20", "protocol.plot_max_age=60",
]


@pytest.fixture
def tiny():
    return list(TINY)
