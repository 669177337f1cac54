"""The counter's design system: one type scale, one palette, one icon set, one theme.

Screens take sizes, colours and icons from here (through the theme's roles or ``icons``),
never their own, so every screen looks like the same product.
"""
