"""Slot-free attention on the Case Sequence Task (Bhandarkar & McClelland 2025, section 3 and SI B): the task,
the minimal baseline transformer, the MHN-transformer variants and what their learned weights encode."""
