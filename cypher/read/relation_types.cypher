// The relation types the store knows (FalkorDB keeps a type once made, even with no relation left).
CALL db.relationshipTypes() YIELD relationshipType
RETURN relationshipType
