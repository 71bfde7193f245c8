"""Program reports: is the program working, and whom does it burden."""
