"""icn-codesign: co-design threads where clinicians, parents and staff design things together."""

__version__ = "0.1.0"
