"""HTTP plumbing the API and the clerks' web pages share: the database session and the
authenticated actor of a request, and common responses. `citations.app` assembles both faces
into one application; neither face imports the other."""
