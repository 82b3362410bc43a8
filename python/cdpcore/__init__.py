"""cdpcore — an embeddable customer-data engine.

Example::

    import cdpcore as cdp
    ws = cdp.Workspace()
    rep = ws.ingest(cdp.generate(customers=1000)["events"])
"""
from . import _core
from .errors import Error, InvalidArgumentError, IOError, NotFoundError, PrivacyError, UnsupportedError, TYPES as _TYPES
from .generate import generate, generate_files
from .identity import IdentityReport, Profile
from .report import IngestReport
from .segments import Segment, SegmentValidation
from . import segments
from . import clustering
from .clustering import KMeansSegmenter
from .workspace import Workspace
from . import journeys
from . import clv
from . import metrics
from . import churn
from . import kpis
from . import experiments
from . import privacy
from .journeys import attribution_from_paths, Sessions, Funnel, Paths, Stages, Heatmap, Attribution

_core._register_errors(_TYPES)
__version__ = _core.__version__

__all__ = ["Workspace", "attribution_from_paths", "Sessions", "Funnel", "Paths", "Stages", "Heatmap", "Attribution", "IngestReport", "KMeansSegmenter", "Segment", "SegmentValidation", "IdentityReport", "Profile", "generate", "generate_files", "Error", "InvalidArgumentError",
           "NotFoundError", "IOError", "PrivacyError", "UnsupportedError", "__version__"]
