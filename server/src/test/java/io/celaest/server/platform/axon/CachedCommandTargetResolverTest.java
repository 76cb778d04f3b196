package io.celaest.server.platform.axon;

import io.celaest.api.identity.AddUser;
import io.celaest.api.identity.UserRole;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.modelling.command.AnnotationCommandTargetResolver;
import org.axonframework.modelling.command.TargetAggregateIdentifier;
import org.axonframework.modelling.command.TargetAggregateVersion;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The resolver answers as Axon's does, and record commands take the cached field, not the reflective scan. */
class CachedCommandTargetResolverTest {

    record Versioned(@TargetAggregateIdentifier UUID id, @TargetAggregateVersion Long version) {
    }

    static final class ByMethod {
        @TargetAggregateIdentifier
        String target() {
            return "by-method";
        }
    }

    private final CachedCommandTargetResolver resolver = new CachedCommandTargetResolver();
    private final AnnotationCommandTargetResolver axon = AnnotationCommandTargetResolver.builder().build();

    @Test
    void aRecordCommandIsResolvedFromItsFieldFoundOnce() {
        assertThat(CachedCommandTargetResolver.coveredByField(AddUser.class)).isTrue();
        var command = GenericCommandMessage.asCommandMessage(new AddUser(UUID.randomUUID(), UUID.randomUUID(),
                "ada@example.com", "Ada", UserRole.MEMBER, Set.of()));
        assertThat(resolver.resolveTarget(command)).isEqualTo(axon.resolveTarget(command));
        assertThat(resolver.targetOrNull(command)).isEqualTo(((AddUser) command.getPayload()).organizationId());
    }

    @Test
    void versionsAndMethodTargetsAreLeftToAxon() {
        assertThat(CachedCommandTargetResolver.coveredByField(Versioned.class)).isFalse();
        assertThat(CachedCommandTargetResolver.coveredByField(ByMethod.class)).isFalse();
        var versioned = GenericCommandMessage.asCommandMessage(new Versioned(UUID.randomUUID(), 7L));
        assertThat(resolver.resolveTarget(versioned)).isEqualTo(axon.resolveTarget(versioned));
        assertThat(resolver.resolveTarget(versioned).getVersion()).isEqualTo(7L);
        var byMethod = GenericCommandMessage.asCommandMessage(new ByMethod());
        assertThat(resolver.targetOrNull(byMethod)).isEqualTo("by-method");
    }
}
