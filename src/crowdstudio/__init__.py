"""crowdstudio: crowdsourced creative campaigns, from the brief to the finished piece."""

__version__ = "0.1.0"
