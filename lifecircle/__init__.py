"""lifecircle: check and plan Chinese community life circles (社区生活圈)."""

__version__ = "0.1.0"
