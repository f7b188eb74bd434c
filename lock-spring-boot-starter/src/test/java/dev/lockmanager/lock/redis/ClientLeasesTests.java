package dev.lockmanager.lock.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * Leases held by remote clients through their token, against a real Redis server: two instances of a stateless
 * service share them.
 */
class ClientLeasesTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private LettuceConnectionFactory factory;

	private RedisLockManager instanceA;

	private RedisLockManager instanceB;

	private String key;

	@BeforeEach
	void start() {
		this.key = "key-" + UUID.randomUUID();
		this.factory = RedisConnections.connectionFactory(redis.server());
		this.instanceA = RedisLockManager.builder(this.factory).maxTtl(Duration.ofMinutes(1)).build();
		this.instanceB = RedisLockManager.builder(this.factory).maxTtl(Duration.ofMinutes(1)).build();
	}

	@AfterEach
	void stop() {
		this.instanceA.close();
		this.instanceB.close();
		this.factory.destroy();
	}

	private LockRequest request(Duration ttl) {
		return LockRequest.of("jobs", this.key, ttl);
	}

	@Test
	void grantCarriesATokenThatIsNotInItsToString() {
		ClientLeases.Grant grant = this.instanceA.clientLeases().acquire(request(Duration.ofSeconds(10)));
		assertThat(grant.token()).hasSize(32);
		assertThat(grant.fencingToken()).isPositive();
		assertThat(grant.toString()).doesNotContain(grant.token()).contains("jobs", this.key);
	}

	@Test
	void anotherInstanceCanRenewAndReleaseWithTheToken() {
		ClientLeases.Grant grant = this.instanceA.clientLeases().acquire(request(Duration.ofSeconds(1)));
		assertThat(this.instanceB.clientLeases().renew("jobs", this.key, grant.token(), Duration.ofSeconds(30))).isTrue();
		assertThat((Long) redis.server().execute("PTTL", LockKeys.of("lock:", "jobs", this.key).lease()))
			.isGreaterThan(10_000L);
		assertThat(this.instanceB.clientLeases().release("jobs", this.key, grant.token())).isTrue();
		assertThat(this.instanceA.clientLeases().inspect("jobs", this.key).held()).isFalse();
	}

	@Test
	void secondClientCannotAcquireWhileTheFirstHoldsIt() {
		this.instanceA.clientLeases().acquire(request(Duration.ofSeconds(10)));
		assertThatExceptionOfType(LockNotAcquiredException.class).isThrownBy(() -> this.instanceB.clientLeases()
			.acquire(request(Duration.ofSeconds(10)).withWaitTime(Duration.ofMillis(100))));
	}

	@Test
	void waitingClientGetsTheLeaseWhenTheHolderReleases() throws Exception {
		ClientLeases.Grant first = this.instanceA.clientLeases().acquire(request(Duration.ofSeconds(10)));
		CompletableFuture<ClientLeases.Grant> second = CompletableFuture.supplyAsync(() -> this.instanceB.clientLeases()
			.acquire(request(Duration.ofSeconds(10)).withWaitTime(Duration.ofSeconds(5))));
		Thread.sleep(100);
		this.instanceA.clientLeases().release("jobs", this.key, first.token());
		assertThat(second.get().fencingToken()).isGreaterThan(first.fencingToken());
	}

	@Test
	void clientLeaseIsNotRenewedInTheBackgroundAndExpires() {
		this.instanceA.clientLeases().acquire(request(Duration.ofMillis(300)).withRenewal(true));
		assertThat(this.instanceA.heldLeases()).isEmpty();
		await().atMost(Duration.ofSeconds(3)).until(() -> !this.instanceA.clientLeases().inspect("jobs", this.key).held());
	}

	@Test
	void wrongTokenNeitherRenewsNorReleases() {
		ClientLeases.Grant grant = this.instanceA.clientLeases().acquire(request(Duration.ofSeconds(10)));
		String other = OwnerTokens.next();
		assertThat(this.instanceB.clientLeases().renew("jobs", this.key, other, Duration.ofSeconds(30))).isFalse();
		assertThat(this.instanceB.clientLeases().release("jobs", this.key, other)).isFalse();
		ClientLeases.LockState state = this.instanceB.clientLeases().inspect("jobs", this.key);
		assertThat(state.held()).isTrue();
		assertThat(state.fencingToken()).isEqualTo(grant.fencingToken());
		assertThat(state.remaining()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(10));
	}

	@Test
	void repeatedReleaseDoesNoHarmToTheNextHolder() {
		ClientLeases.Grant first = this.instanceA.clientLeases().acquire(request(Duration.ofSeconds(10)));
		assertThat(this.instanceA.clientLeases().release("jobs", this.key, first.token())).isTrue();
		ClientLeases.Grant next = this.instanceB.clientLeases().acquire(request(Duration.ofSeconds(10)));
		assertThat(this.instanceA.clientLeases().release("jobs", this.key, first.token())).isFalse();
		assertThat(this.instanceA.clientLeases().inspect("jobs", this.key).fencingToken()).isEqualTo(next.fencingToken());
	}

	@Test
	void renewalAfterExpiryIsRefused() {
		ClientLeases.Grant grant = this.instanceA.clientLeases().acquire(request(Duration.ofMillis(100)));
		await().atMost(Duration.ofSeconds(3)).until(() -> !this.instanceA.clientLeases().inspect("jobs", this.key).held());
		assertThat(this.instanceA.clientLeases().renew("jobs", this.key, grant.token(), Duration.ofSeconds(10)))
			.isFalse();
	}

	@Test
	void freeLockIsReportedWithoutRemainingTimeOrToken() {
		ClientLeases.LockState state = this.instanceA.clientLeases().inspect("jobs", this.key);
		assertThat(state.held()).isFalse();
		assertThat(state.remaining()).isZero();
		assertThat(state.fencingToken()).isZero();
	}

	@Test
	void malformedTokenIsRejectedBeforeRedisIsAsked() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.instanceA.clientLeases().release("jobs", this.key, "not-a-token"))
			.withMessageContaining("token");
	}

	@Test
	void tokenOfNonAsciiDigitsIsRejected() {
		String arabicIndicDigits = "\u0663".repeat(32);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.instanceA.clientLeases().release("jobs", this.key, arabicIndicDigits))
			.withMessageContaining("token");
	}

	@Test
	void renewalAboveTheMaximumTtlIsRejected() {
		ClientLeases.Grant grant = this.instanceA.clientLeases().acquire(request(Duration.ofSeconds(10)));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.instanceA.clientLeases().renew("jobs", this.key, grant.token(), Duration.ofHours(2)))
			.withMessageContaining("max-ttl");
	}

}
