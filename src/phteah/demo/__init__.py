"""The demo network: fictional organisations of the kinds found in Cambodia's child-protection
system, with staff in every role. Later parts of Phteah add cases to it."""
