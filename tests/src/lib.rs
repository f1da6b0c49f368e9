//! Shared helpers for the cross-part tests.
