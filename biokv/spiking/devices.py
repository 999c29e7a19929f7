"""The Brian2 devices the spiking network runs on (a constant, importable without Brian2)."""

__all__ = ["DEVICES"]

#: ``runtime``: Brian2's runtime device (numpy or cython code generation); ``cpp_standalone``: compiled C++
DEVICES = ("runtime", "cpp_standalone")
