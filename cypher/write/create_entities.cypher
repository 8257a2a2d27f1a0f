// Fast path for an empty store: create a batch of entities of one type without looking them up.
UNWIND $rows AS row
CREATE (n:Entity:__LABEL__)
SET n = row.props
