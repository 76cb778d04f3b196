package io.celaest.api.licensing;

import java.util.Locale;

/** What a plan does when one license is used from more IPs at once than it allows. */
public enum CollisionPolicy {
    /** Record the collision; validations still pass. */
    FLAG,
    /** Record it and answer COLLISION_BLOCKED; repeated collisions suspend the license. */
    BLOCK;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CollisionPolicy fromCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }
}
