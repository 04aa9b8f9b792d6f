//! The year's work of a coordinator in a real browser, the ministry's state map, and the
//! committee paper printed to PDF.
