"""Graphviz drawings of Value graphs."""
