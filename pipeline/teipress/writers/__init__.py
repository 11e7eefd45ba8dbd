"""Writers: one module per edition (tei, web, print, harvest)."""
