-- Platform API keys belong to no organization (a platform auditor's read-only key), and people can be auditors.
ALTER TABLE api_key_credentials ALTER COLUMN organization_id DROP NOT NULL;
ALTER TABLE api_keys ALTER COLUMN organization_id DROP NOT NULL;
ALTER TABLE users_profile DROP CONSTRAINT users_profile_role_check;
ALTER TABLE users_profile ADD CONSTRAINT users_profile_role_check
    CHECK (role IN ('owner', 'admin', 'member', 'viewer', 'auditor'));
