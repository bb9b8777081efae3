"""Thin views, one module per concern. Forms validate, services act, templates render."""
