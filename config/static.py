"""Static files as production serves them: compressed, with content-hashed names."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, tolerant of stylesheets that name files their package does
    not ship (viewflow's Roboto CSS lists weights it leaves out): such a reference keeps
    its plain name instead of failing ``collectstatic``."""

    manifest_strict = False

    def create_compressor(self, **kwargs):
        # Gzip only: Brotli at its best quality takes minutes over the API docs' and
        # viewflow's assets, at every start, for a few per cent smaller files.
        return super().create_compressor(**{**kwargs, "use_brotli": False})

    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            return name
