"""crowdstudio: run crowdsourced creative campaigns and turn the crowd's work into finished pieces."""

__version__ = "0.1.0"
