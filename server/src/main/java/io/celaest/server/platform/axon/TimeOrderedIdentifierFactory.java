package io.celaest.server.platform.axon;

import io.celaest.api.platform.TimeOrderedIds;
import org.axonframework.common.IdentifierFactory;

/**
 * Axon's message identifiers as UUIDv7 ({@link TimeOrderedIds}) instead of random UUIDs: every event's identifier
 * goes into the unique index of domain_event_entry.event_identifier, which then grows at its end instead of
 * dirtying a random page of an index larger than memory per event. Found by Axon through
 * {@code META-INF/services/org.axonframework.common.IdentifierFactory}.
 */
public class TimeOrderedIdentifierFactory extends IdentifierFactory {

    @Override
    public String generateIdentifier() {
        return TimeOrderedIds.next().toString();
    }
}
