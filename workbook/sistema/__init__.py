"""The scoring system (Sistema di Misurazione e Valutazione): its model and its loading."""
