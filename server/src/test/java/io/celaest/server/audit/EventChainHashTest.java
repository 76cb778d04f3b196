package io.celaest.server.audit;

import io.celaest.projections.audit.EventChainHash;
import io.celaest.projections.audit.EventChainHash.StoredEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The canonical form of a stored event and the link function, pinned independently of the implementation. */
class EventChainHashTest {

    private static final StoredEvent EVENT = new StoredEvent(7, "e-1", "agg-1", 3, "Organization",
            "io.celaest.api.identity.OrganizationCreated", null, "{\"a\":1}".getBytes(StandardCharsets.UTF_8),
            "{\"actorId\":\"x\"}".getBytes(StandardCharsets.UTF_8), "2025-01-01T00:00:00Z");

    @Test
    void linkIsSha256OfThePreviousLinkAndTheLengthPrefixedFields() throws Exception {
        byte[] previous = new byte[32];
        previous[0] = 1;
        byte[] link = new EventChainHash.Hasher().link(previous, EVENT);

        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(previous);
        sha.update(EventChainTest.canonical(EVENT.eventIdentifier(), EVENT.aggregateIdentifier(),
                EVENT.sequenceNumber(), EVENT.type(), EVENT.payloadType(), EVENT.payloadRevision(), EVENT.payload(),
                EVENT.metaData(), EVENT.timeStamp()));
        assertThat(link).isEqualTo(sha.digest());
        assertThat(EventChainHash.canonical(EVENT)).isEqualTo(EventChainTest.canonical(EVENT.eventIdentifier(),
                EVENT.aggregateIdentifier(), EVENT.sequenceNumber(), EVENT.type(), EVENT.payloadType(),
                EVENT.payloadRevision(), EVENT.payload(), EVENT.metaData(), EVENT.timeStamp()));
    }

    @Test
    void fieldBoundariesNullsAndThePreviousLinkAllChangeTheLink() {
        EventChainHash.Hasher hasher = new EventChainHash.Hasher();
        byte[] genesis = EventChainHash.genesis();
        List<StoredEvent> variants = List.of(EVENT,
                // a byte moved from one field to the next: same concatenation, other fields
                new StoredEvent(7, "e-1a", "gg-1", 3, EVENT.type(), EVENT.payloadType(), null, EVENT.payload(),
                        EVENT.metaData(), EVENT.timeStamp()),
                new StoredEvent(7, "e-1", "agg-1", 3, EVENT.type(), EVENT.payloadType(), "", EVENT.payload(),
                        EVENT.metaData(), EVENT.timeStamp()),
                new StoredEvent(7, "e-1", "agg-1", 3, EVENT.type(), EVENT.payloadType(), null, EVENT.payload(),
                        null, EVENT.timeStamp()),
                new StoredEvent(7, "e-1", "agg-1", 4, EVENT.type(), EVENT.payloadType(), null, EVENT.payload(),
                        EVENT.metaData(), EVENT.timeStamp()),
                new StoredEvent(7, "e-1", "agg-1", 3, EVENT.type(), EVENT.payloadType(), null,
                        "{\"a\":2}".getBytes(StandardCharsets.UTF_8), EVENT.metaData(), EVENT.timeStamp()));
        Set<String> links = new HashSet<>();
        for (StoredEvent variant : variants) {
            links.add(EventChainHash.hex(hasher.link(genesis, variant)));
        }
        assertThat(links).hasSize(variants.size());

        byte[] other = genesis.clone();
        other[31] = 1;
        assertThat(hasher.link(other, EVENT)).isNotEqualTo(hasher.link(genesis, EVENT));
        assertThat(hasher.link(genesis, EVENT)).isEqualTo(hasher.link(genesis, EVENT));
    }
}
