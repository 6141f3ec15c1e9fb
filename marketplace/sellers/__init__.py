"""The seller's side: applying to sell, and managing one's own listings from a phone."""
