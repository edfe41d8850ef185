"""The portfolio: the progress log in README.md, the commit heatmap and the site serving both."""
