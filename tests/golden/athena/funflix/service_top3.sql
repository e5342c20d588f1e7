CREATE OR REPLACE VIEW "funflix"."service_top3" AS

    WITH visits AS (SELECT * FROM (SELECT "booking_id", "customer_id", "service_id", "therapist_id", "booked_for", "status" FROM "funflix"."clinic_bookings") WHERE status = 'visited'),
    top_customer AS (SELECT customer_id FROM visits GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 1)
    SELECT v.customer_id, s.service_id, s.name, CAST(count(*) AS bigint) AS visits
    FROM visits AS v JOIN top_customer AS t ON t.customer_id = v.customer_id JOIN (SELECT "service_id", "name", "category" FROM "funflix"."clinic_services") AS s ON s.service_id = v.service_id
    GROUP BY v.customer_id, s.service_id, s.name
    ORDER BY visits DESC, s.service_id
    LIMIT 3
