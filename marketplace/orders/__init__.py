"""Orders: one per seller per checkout, with an explicit state machine."""
