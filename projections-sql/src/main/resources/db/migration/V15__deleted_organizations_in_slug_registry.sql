-- The slug registry is written with the Organization's events (never behind), so commands that concern an
-- organization without reaching its aggregate (issuing a license) learn there that it was deleted. Slugs stay
-- reserved after a deletion, as before.
ALTER TABLE organization_slugs ADD COLUMN deleted_at timestamptz;

UPDATE organization_slugs s
   SET deleted_at = o.deleted_at
  FROM organizations o
 WHERE o.id = s.organization_id AND o.deleted_at IS NOT NULL;
