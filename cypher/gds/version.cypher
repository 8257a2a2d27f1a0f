// The version of the Graph Data Science library on the server (fails when it is not installed).
RETURN gds.version() AS version
