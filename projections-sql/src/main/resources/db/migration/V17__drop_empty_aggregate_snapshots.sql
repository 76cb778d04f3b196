-- Aggregate snapshots written before the snapshot serializer existed hold no state ('{}', no revision): Axon
-- ignores them since the aggregates carry @Revision("1"), and they would only be deleted one by one as new
-- snapshots are stored. They are useless and are dropped here; those aggregates load from their events.
DELETE FROM snapshot_event_entry
 WHERE payload_revision IS NULL
   AND convert_from(payload, 'UTF8') = '{}';
