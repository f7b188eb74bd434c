package dev.lockmanager.lock.redis;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.mockito.Mockito.mock;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Validation of {@link RedisLockManagerBuilder}: every setting is checked when it is set, with a message naming it.
 */
class RedisLockManagerBuilderTests {

	private final RedisLockManagerBuilder builder = RedisLockManager
		.builder(new LettuceConnectionFactory(new RedisStandaloneConfiguration()));

	@Test
	void requiresLettuceBecauseOtherClientsBlockWhileSubscribed() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RedisLockManager.builder(mock(RedisConnectionFactory.class)))
			.withMessageStartingWith("Lock Manager needs spring-data-redis with Lettuce");
	}

	@Test
	void keyPrefixMustNotContainBraces() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.builder.keyPrefix("app{1}:"))
			.withMessageContaining("keyPrefix must not contain braces");
	}

	@Test
	void backOffIsValidated() {
		Duration second = Duration.ofSeconds(1);
		assertThatIllegalArgumentException().isThrownBy(() -> this.builder.backOff(Duration.ZERO, 2, second, second))
			.withMessage("initialInterval must be at least 1ms but was PT0S");
		assertThatIllegalArgumentException().isThrownBy(() -> this.builder.backOff(second, Double.NaN, second, second))
			.withMessage("multiplier must be a finite number of at least 1 but was NaN");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.builder.backOff(second, 2, Duration.ofMillis(10), second))
			.withMessage("maxInterval (PT0.01S) must not be shorter than initialInterval (PT1S)");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.builder.backOff(second, 2, second, Duration.ofMillis(-1)))
			.withMessage("jitter must not be negative but was PT-0.001S");
	}

	@Test
	void limitsAreValidated() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.builder.renewal(true, 0.95))
			.withMessage("renewal ratio must be between 0.1 and 0.9 but was 0.95");
		assertThatIllegalArgumentException().isThrownBy(() -> this.builder.maxTtl(Duration.ZERO))
			.withMessage("maxTtl must be at least 1ms but was PT0S");
		assertThatIllegalArgumentException().isThrownBy(() -> this.builder.maxWaitTime(Duration.ofSeconds(-1)))
			.withMessage("maxWaitTime must not be negative but was PT-1S");
		assertThatIllegalArgumentException().isThrownBy(() -> this.builder.maxWaiters(-1))
			.withMessage("maxWaiters must not be negative but was -1");
		assertThatIllegalArgumentException().isThrownBy(() -> this.builder.handoff(-1, Duration.ofMillis(50)))
			.withMessage("maxHandoffs must not be negative but was -1");
		assertThatIllegalArgumentException().isThrownBy(() -> this.builder.handoff(16, Duration.ZERO))
			.withMessage("timeSlice must be at least 1ms but was PT0S");
		assertThatIllegalArgumentException().isThrownBy(() -> this.builder.fencingRetention(null))
			.withMessage("fencingRetention must be at least 1ms but was null");
	}

}
