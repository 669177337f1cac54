"""Orders and carts from a POS, a storefront or the counter (API.md "Orders and carts")."""
