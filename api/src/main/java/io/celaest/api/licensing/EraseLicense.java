package io.celaest.api.licensing;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.UUID;

/**
 * GDPR erasure of what the license's holder left behind: the IPs and fingerprints of their devices (bindings,
 * collisions, validations) become unreadable everywhere. A license not yet cancelled is cancelled first.
 */
public record EraseLicense(@TargetAggregateIdentifier UUID licenseId) {
}
