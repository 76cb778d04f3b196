package io.celaest.server.platform.security;

import io.celaest.api.licensing.BindLicense;
import io.celaest.api.licensing.ReportCollision;
import io.celaest.api.platform.ActorKind;
import io.celaest.api.platform.Caller;
import io.celaest.projections.platform.PersonalDataVault;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client IP of a request is personal data of the request's actor: it is written into message metadata
 * sealed under that actor's key (see {@link PersonalDataVault#seal}), never in clear, so erasing the actor (a
 * user, an API key) erases the IPs of every request they made.
 * <p>
 * The data subject is the actor id when it is a UUID (an API key, a user). Other actors each have one fixed
 * subject derived from their name: the platform operator ({@code platform-admin}), license-key holders at the
 * validation endpoint, and callers without valid credentials ({@code anonymous}). Nobody can ask to erase an
 * anonymous caller (they are not known) and their IPs are the security record of denied attempts, so they
 * share one key rather than a key per attempt, which would only grow the key table on a flood of bad tokens.
 * <p>
 * A license-key holder's validation that changes a license (a device bound on first use, a collision reported) is
 * the one exception: that IP is the license holder's device, so it is sealed under the license's key, like the
 * device values in the license's events, and erasing the license erases it too.
 */
@Component
public class ClientIpSealer {

    private final PersonalDataVault vault;
    /** The subjects of named actors: a handful (see above), each an MD5 digest otherwise computed per request. */
    private final Map<String, UUID> namedSubjects = new ConcurrentHashMap<>();

    public ClientIpSealer(PersonalDataVault vault) {
        this.vault = vault;
    }

    /** The metadata value of the client IP of a request by {@code caller} (null: no valid credentials). */
    public Object seal(Caller caller, String clientIp) {
        return clientIp == null ? null : vault.seal(subjectOf(caller == null ? "anonymous" : caller.actorId()), clientIp);
    }

    /** The metadata value of the client IP of {@code command}, sent while serving a request by {@code caller}. */
    public Object seal(Caller caller, String clientIp, Object command) {
        if (clientIp != null && caller != null && caller.kind() == ActorKind.LICENSE_KEY) {
            UUID license = command instanceof BindLicense bind ? bind.licenseId()
                    : command instanceof ReportCollision collision ? collision.licenseId() : null;
            if (license != null) {
                return vault.seal(license, clientIp);
            }
        }
        return seal(caller, clientIp);
    }

    private UUID subjectOf(String actorId) {
        if (actorId.length() == 36) {
            try {
                return UUID.fromString(actorId);
            } catch (IllegalArgumentException notAUuid) {
                // named like the other actors below
            }
        }
        // a name-based (version 3) UUID never equals the random (version 4) ids of keys and users
        return namedSubjects.computeIfAbsent(actorId,
                name -> UUID.nameUUIDFromBytes(("celaest-actor:" + name).getBytes(StandardCharsets.UTF_8)));
    }
}
