package io.celaest.api.platform;

/** The kind of actor recorded in every command's metadata and kept by the events it causes. */
public enum ActorKind {
    PLATFORM_ADMIN, API_KEY, USER, SYSTEM
}
