"""Integration API keys (a POS, a storefront): made and revoked by the operator's CLI."""
