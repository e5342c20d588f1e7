CREATE OR REPLACE VIEW "funflix"."therapist_experience" AS

    SELECT t.therapist_id, t.name, CAST(count(*) AS bigint) AS sessions
    FROM (SELECT "booking_id", "customer_id", "service_id", "therapist_id", "booked_for", "status" FROM "funflix"."clinic_bookings") AS b
    JOIN (SELECT "service_id", "name", "category" FROM "funflix"."clinic_services") AS s ON s.service_id = b.service_id
    JOIN (SELECT "therapist_id", "name", "specialty" FROM "funflix"."clinic_therapists") AS t ON t.therapist_id = b.therapist_id
    WHERE b.status = 'visited' AND s.category = 'physiotherapy'
    GROUP BY t.therapist_id, t.name
    ORDER BY sessions DESC, t.therapist_id
    LIMIT 1
