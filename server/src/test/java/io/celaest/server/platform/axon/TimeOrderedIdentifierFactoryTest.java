package io.celaest.server.platform.axon;

import org.axonframework.common.IdentifierFactory;
import org.axonframework.eventhandling.GenericEventMessage;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class TimeOrderedIdentifierFactoryTest {

    @Test
    void axonFindsItAndEventIdentifiersAreTimeOrdered() throws InterruptedException {
        assertThat(IdentifierFactory.getInstance()).isInstanceOf(TimeOrderedIdentifierFactory.class);
        UUID first = UUID.fromString(GenericEventMessage.asEventMessage("a").getIdentifier());
        Thread.sleep(2);
        UUID second = UUID.fromString(GenericEventMessage.asEventMessage("b").getIdentifier());
        assertThat(first.version()).isEqualTo(7);
        assertThat(second.version()).isEqualTo(7);
        assertThat(Long.compareUnsigned(first.getMostSignificantBits(), second.getMostSignificantBits())).isNegative();
    }
}
