"""Real councils' KPI tables, transcribed as specs, and the tools that build and diagnose them."""
