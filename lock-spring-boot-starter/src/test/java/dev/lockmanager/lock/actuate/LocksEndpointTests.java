package dev.lockmanager.lock.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.security.Principal;
import java.time.Duration;
import java.util.UUID;

import org.assertj.core.groups.Tuple;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseLostException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * {@link LocksEndpoint}'s operations called directly, on a real Redis server.
 */
class LocksEndpointTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private final LettuceConnectionFactory factory = connectionFactory();

	private final RedisLockManager lockManager = RedisLockManager.builder(this.factory).build();

	private final LocksEndpoint endpoint = new LocksEndpoint(this.lockManager);

	private final String key = "key-" + UUID.randomUUID();

	@AfterEach
	void close() {
		this.lockManager.close();
		this.factory.destroy();
	}

	@Test
	void listsHeldLeasesOldestFirst() {
		Lease first = this.lockManager.acquire(LockRequest.of("orders", this.key, Duration.ofSeconds(10)));
		Lease second = this.lockManager.acquire(LockRequest.of("invoices", this.key, Duration.ofSeconds(10)));
		assertThat(this.endpoint.leases().leases()).extracting(LocksEndpoint.LeaseDescriptor::name,
				LocksEndpoint.LeaseDescriptor::fencingToken)
			.containsExactly(Tuple.tuple("orders", first.fencingToken()),
					Tuple.tuple("invoices", second.fencingToken()));
	}

	@Test
	void forceReleaseRecordsWhoAskedAndWhyInTheHoldersLeaseLostException() {
		Lease lease = this.lockManager.acquire(LockRequest.of("orders", this.key, Duration.ofSeconds(10)));
		assertThat(this.endpoint.forceRelease("orders", this.key, "stuck", signedIn("alice")).released()).isOne();
		assertThatExceptionOfType(LeaseLostException.class).isThrownBy(lease::release)
			.withMessageContaining("force-released: through the locks endpoint by alice: stuck");
	}

	private static SecurityContext signedIn(String name) {
		Principal principal = () -> name;
		return new SecurityContext() {

			@Override
			public Principal getPrincipal() {
				return principal;
			}

			@Override
			public boolean isUserInRole(String role) {
				return false;
			}

		};
	}

	private static LettuceConnectionFactory connectionFactory() {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(redis.server().host(), redis.server().port()));
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

}
