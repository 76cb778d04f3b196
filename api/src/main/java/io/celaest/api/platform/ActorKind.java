package io.celaest.api.platform;

/** The kind of actor recorded in every command's metadata and kept by the events it causes. */
public enum ActorKind {
    PLATFORM_ADMIN, API_KEY, USER, SYSTEM,
    /** Whoever holds a license key: the public validation endpoint, which takes no bearer token. */
    LICENSE_KEY
}
