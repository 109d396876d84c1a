"""MathJax for offline pages: the static edition's, the class report's and the feedback pages'.

``jupyter_server_mathjax`` (a declared dependency) ships MathJax 2; :func:`install` copies it beside
the pages, so they typeset without a network. Kept apart from :mod:`.site` so that the grading pages
can use it without importing the site builder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

__all__ = ["CDN_MATHJAX", "LOCAL_MATHJAX", "MATHJAX_CONFIG", "install"]

CDN_MATHJAX = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js?config=TeX-AMS_CHTML-full,Safe"
LOCAL_MATHJAX = "MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
# jupyter_server_mathjax ships MathJax 2 with the STIX-Web fonts only: tell MathJax to use them.
# (No automatic line breaking: it makes MathJax claim the full width, which blows up table columns;
# long displayed formulas scroll sideways instead, see CSS.)
MATHJAX_CONFIG = """<script type="text/x-mathjax-config">
MathJax.Hub.Config({
  "HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null},
  SVG: {font: "STIX-Web"}
});
</script>
"""


def install(outdir: Path, mathjax: str = "local") -> str:
    """Set up MathJax for the site; return the address pages load it from (relative to the site)."""
    if mathjax == "local":
        try:
            import jupyter_server_mathjax
        except ImportError:
            return CDN_MATHJAX
        static = Path(jupyter_server_mathjax.__file__).parent / "static"
        shutil.copytree(static, outdir / "mathjax", dirs_exist_ok=True)
        return "mathjax/" + LOCAL_MATHJAX
    return CDN_MATHJAX if mathjax == "cdn" else mathjax
