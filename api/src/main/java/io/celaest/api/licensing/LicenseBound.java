package io.celaest.api.licensing;

import io.celaest.api.platform.DataSubject;
import io.celaest.api.platform.PersonalData;

import java.util.UUID;

/**
 * A device bound to the license. {@code value} (an IP address or a machine fingerprint) is personal data of the
 * license's holder: stored encrypted under the license's key, unreadable once the license is erased
 * ({@link LicenseErased}). Events stored before it was personal data hold it in clear and still read.
 */
public record LicenseBound(@DataSubject UUID licenseId, UUID organizationId, UUID bindingId, BindingKind kind,
                           @PersonalData String value, boolean manual) {
}
