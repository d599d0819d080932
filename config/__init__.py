"""Settings and source lists: read once at start and passed down, so no other module reads the environment."""

from config.settings import Settings, SettingsError, get_settings

__all__ = ["Settings", "SettingsError", "get_settings"]
