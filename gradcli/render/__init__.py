"""Terminal output with rich: the only package that imports rich."""
