"""Stock that cannot be oversold: reservations taken by conditional updates, and released."""
