"""Statistics of results: memory-performance metrics (accuracy, d', paired effects, fits), laws of forgetting
compared by AIC, and firing-rate distributions."""
