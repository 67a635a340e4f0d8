-- Two institutions, a lecturer and a student each, a course each and Hebrew course material.
-- Loaded by `strata reset` (migrations.seed) or by `strata psql --as superuser -- -f sample-data.sql`.
INSERT INTO institutions (id, name, slug) VALUES
    (1, 'האוניברסיטה העברית', 'huji'),
    (2, 'הטכניון', 'technion');
SELECT setval('institutions_id_seq', 2);

INSERT INTO users (id, institution_id, email, full_name, role) VALUES
    (1, 1, 'dana@huji.example', 'דנה לוי', 'lecturer'),
    (2, 1, 'noam@huji.example', 'נועם כהן', 'student'),
    (3, 2, 'yael@technion.example', 'יעל מזרחי', 'lecturer'),
    (4, 2, 'omer@technion.example', 'עומר פרץ', 'student');
SELECT setval('users_id_seq', 4);

INSERT INTO courses (id, institution_id, code, title, semester, lecturer_id) VALUES
    (1, 1, 'HIST-101', 'מבוא להיסטוריה של ארץ ישראל', '2026א', 1),
    (2, 2, 'CS-234', 'מבני נתונים ואלגוריתמים', '2026א', 3);
SELECT setval('courses_id_seq', 2);

INSERT INTO enrollments (course_id, student_id, grade) VALUES (1, 2, 91), (2, 4, 87);

INSERT INTO documents (institution_id, course_id, title, body) VALUES
    (1, 1, 'סילבוס הקורס', 'הקורס עוסק בתולדות הארץ מימי בית שני ועד קום המדינה. קריאת חובה בספרייה המרכזית.'),
    (1, 1, 'מטלה ראשונה', 'יש להגיש עבודה על הספר "ארץ ישראל בתקופת בית שני" עד סוף החודש.'),
    (1, NULL, 'בְּרֵאשִׁית', 'בְּרֵאשִׁית בָּרָא אֱלֹהִים אֵת הַשָּׁמַיִם וְאֵת הָאָרֶץ'),
    (2, 2, 'תרגיל בית 1', 'מימוש עץ חיפוש בינארי ורשימה מקושרת. ספרים מומלצים: Cormen, Introduction to Algorithms.');
