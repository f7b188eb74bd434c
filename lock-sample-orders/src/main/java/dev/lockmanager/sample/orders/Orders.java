package dev.lockmanager.sample.orders;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Repository;

/**
 * The {@code tb_order} table: one row per placed order.
 */
@Repository
public class Orders {

	private final JdbcClient jdbc;

	public Orders(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	public long insert(String itemName, int quantity, long fencingToken) {
		KeyHolder keys = new GeneratedKeyHolder();
		this.jdbc.sql("INSERT INTO tb_order (item_name, quantity, fencing_token) VALUES (?, ?, ?)")
			.params(itemName, quantity, fencingToken)
			.update(keys, "id");
		return keys.getKeyAs(Long.class);
	}

	public Optional<Order> find(long id) {
		return this.jdbc.sql("SELECT id, item_name, quantity, fencing_token, created_at FROM tb_order WHERE id = ?")
			.param(id)
			.query(Order.class)
			.optional();
	}

	public List<Order> page(String itemName, int page, int size) {
		return this.jdbc
			.sql("SELECT id, item_name, quantity, fencing_token, created_at FROM tb_order"
					+ " WHERE (CAST(:item AS VARCHAR(100)) IS NULL OR item_name = :item) ORDER BY id LIMIT :size OFFSET :offset")
			.param("item", itemName)
			.param("size", size)
			.param("offset", (long) page * size)
			.query(Order.class)
			.list();
	}

	public Totals totals(String itemName) {
		return this.jdbc
			.sql("SELECT COUNT(*) AS orders, COALESCE(SUM(quantity), 0) AS quantity FROM tb_order"
					+ " WHERE (CAST(:item AS VARCHAR(100)) IS NULL OR item_name = :item)")
			.param("item", itemName)
			.query(Totals.class)
			.single();
	}

	/**
	 * A placed order.
	 *
	 * @param id the order id
	 * @param itemName the ordered item
	 * @param quantity how many
	 * @param fencingToken the fencing token of the lease it was placed under (0 when unlocked)
	 * @param createdAt when it was placed
	 */
	public record Order(long id, String itemName, int quantity, long fencingToken, OffsetDateTime createdAt) {
	}

	/**
	 * How many orders there are, and for how many units in all.
	 *
	 * @param orders the number of orders
	 * @param quantity the sum of their quantities
	 */
	public record Totals(long orders, long quantity) {
	}

}
