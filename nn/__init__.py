"""Neural networks made of Values."""
