package io.apptheus.web;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Checks the user and password of Quarkus' basic authentication against the web config's
 * {@code basic_auth_users}. The bcrypt work runs on one thread of its own with a short queue, not
 * on Quarkus' worker pool: a flood of wrong passwords then costs one core at most and cannot hold
 * the workers that serve the scrape; past the queue a request is refused (401) at once.
 */
@Singleton
class BcryptIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private static final int QUEUE = 32;

    private final BasicAuthUsers users;
    private final ThreadPoolExecutor bcrypt = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE), r -> {
                Thread t = new Thread(r, "apptheus-bcrypt");
                t.setDaemon(true);
                return t;
            });

    BcryptIdentityProvider(WebConfig config) {
        this.users = new BasicAuthUsers(config.users());
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        String user = request.getUsername();
        char[] password = request.getPassword().getPassword();
        if (users.isRemembered(user, password)) {
            return Uni.createFrom().item(identity(user));
        }
        Context caller = Vertx.currentContext();
        return Uni.createFrom().emitter(em -> {
            try {
                bcrypt.execute(() -> {
                    Runnable done = check(user, password) ? () -> em.complete(identity(user))
                            : () -> em.fail(new AuthenticationFailedException());
                    if (caller != null) {
                        caller.runOnContext(v -> done.run());
                    } else {
                        done.run();
                    }
                });
            } catch (RejectedExecutionException e) {
                em.fail(new AuthenticationFailedException("too many password checks waiting"));
            }
        });
    }

    /** Never throws: a Uni left without an answer would hold the request. */
    private boolean check(String user, char[] password) {
        try {
            return users.verify(user, password);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static SecurityIdentity identity(String user) {
        return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(user)).build();
    }

    @PreDestroy
    void stop() {
        bcrypt.shutdownNow();
    }
}
